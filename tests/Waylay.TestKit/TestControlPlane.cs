using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Waylay.TestKit;

/// <summary>
/// The real <c>waylay control</c> process (the CLI beside the tests) inside a test namespace, serving a manifest
/// directory it watches (<c>/tmp/wl-&lt;run&gt;-control…</c>, removed on dispose). Proxies in other namespaces reach
/// it at <see cref="Address"/>; the test reads <c>/debug/syncz</c> from inside its namespace. <see cref="Kill"/> and
/// <see cref="RestartAsync"/> take it away and bring it back with the same arguments.
/// </summary>
public sealed class TestControlPlane : IAsyncDisposable
{
    public const ushort Port = 15010;
    public const ushort DebugPort = 15014;

    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private TestControlPlane(TestNamespace ns, IPAddress ip, string directory)
    {
        Namespace = ns;
        Ip = ip;
        Directory = directory;
    }

    public TestNamespace Namespace { get; }

    public IPAddress Ip { get; }

    /// <summary>The watched manifest directory: write files here (atomically, with <see cref="WriteManifest"/>).</summary>
    public string Directory { get; }

    /// <summary>What a proxy passes to <c>--discovery</c>.</summary>
    public string Address => $"{Ip}:{Port}";

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts <c>waylay control -f DIR</c> in <paramref name="ns"/> (reachable at <paramref name="ip"/>) and waits until its debug port answers.</summary>
    public static async Task<TestControlPlane> StartAsync(TestNamespace ns, IPAddress ip, IReadOnlyDictionary<string, string> manifests)
    {
        var directory = $"/tmp/{RunId.Next("control")}";
        System.IO.Directory.CreateDirectory(directory);
        var control = new TestControlPlane(ns, ip, directory);
        foreach (var (name, text) in manifests)
        {
            control.WriteManifest(name, text);
        }

        try
        {
            await control.RestartAsync();
            return control;
        }
        catch
        {
            await control.DisposeAsync();
            throw;
        }
    }

    /// <summary>Replaces a manifest atomically (write a sibling, rename), as a ConfigMap update does.</summary>
    public void WriteManifest(string name, string text)
    {
        var path = System.IO.Path.Combine(Directory, name);
        File.WriteAllText(path + ".new", text);
        File.Move(path + ".new", path, overwrite: true);
    }

    /// <summary>Kills the process (SIGKILL: no goodbye to the proxies, as a crash).</summary>
    public void Kill()
    {
        _process!.Kill();
        _process.WaitForExit();
    }

    public async Task RestartAsync()
    {
        _process = Namespace.Start(null, null, [WaylayCli.Path, "control", "-f", Directory, "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--debug-port", DebugPort.ToString(CultureInfo.InvariantCulture), "--log-level", "debug"]);
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"waylay control exited with {_process.ExitCode}:{Environment.NewLine}{Output}");
            }

            try
            {
                if ((await GetAsync("/ready")).Status == 200)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"waylay control was not ready within 30 s:{Environment.NewLine}{Output}");
    }

    public async Task<string> SynczAsync() => (await GetAsync("/debug/syncz")).Body;

    /// <summary>One request to the debug port, from inside the control plane's namespace.</summary>
    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        var response = await RawHttp.GetAsync(Namespace, new IPEndPoint(IPAddress.Loopback, DebugPort), path);
        return (response.Status, response.BodyText);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (_process is not null && !_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }

        System.IO.Directory.Delete(Directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is not null && _output.Count < 5000)
        {
            _output.Enqueue(line);
        }
    }
}
