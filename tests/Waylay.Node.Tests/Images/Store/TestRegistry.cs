using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Waylay.Linux;
using Waylay.Node.Tests.Processes.Oci;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Store;

/// <summary>
/// A real image registry (Debian's <c>docker-registry</c>, distribution 2.8) of the test's own: its binary run with a
/// config in <c>/tmp/wl-&lt;run&gt;-registryN</c>, bound to 127.0.0.1 on a free port, plain HTTP (a loopback registry
/// may be, by containerd's rule), holding the oci tests' busybox image as <see cref="Busybox"/>. Never the system
/// service. Disposing kills it by its PID and removes its directory.
/// </summary>
public sealed class TestRegistry : IAsyncLifetime
{
    public const string Binary = "/usr/bin/docker-registry";

    private Process? _process;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), RunId.Next("registry"));

    /// <summary>host:port, as image references name it.</summary>
    public string Host { get; private set; } = "";

    /// <summary>The busybox app image in this registry.</summary>
    public string Busybox => $"{Host}/wl-test/busybox:1";

    /// <summary>Its manifest digest as the registry serves it.</summary>
    public string BusyboxDigest { get; private set; } = "";

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
            BusyboxDigest = await PushAsync(await OciTestImages.BusyboxArchiveAsync(), OciTestImages.AppReference, Busybox);
        }
        catch
        {
            await DisposeAsync(); // a fixture that failed to start is not disposed by xunit
            throw;
        }
    }

    /// <summary>Pushes the image named <paramref name="inArchive"/> in an OCI archive as <paramref name="reference"/>; returns its digest.</summary>
    public async Task<string> PushAsync(string archive, string inArchive, string reference)
    {
        await Run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", $"oci-archive:{archive}:{inArchive}", $"docker://{reference}");
        return (await Run("skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{reference}")).Trim();
    }

    public async Task DisposeAsync()
    {
        await DisposeProcessAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>A port of 127.0.0.1 that nothing listens on (just released by the kernel's choice).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task StartAsync()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data"));
        // The port is free when chosen; another process could take it before the registry binds: then try another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            Host = $"127.0.0.1:{port}";
            var config = Path.Combine(Directory, "config.yml");
            await File.WriteAllTextAsync(config, $$$"""
                version: 0.1
                log: {level: warn}
                storage: {filesystem: {rootdirectory: {{{Path.Combine(Directory, "data")}}}}}
                http: {addr: "127.0.0.1:{{{port}}}"}
                """);
            var start = new ProcessStartInfo(Binary) { ArgumentList = { "serve", config }, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Binary}");
            var log = _process.StandardError.ReadToEndAsync();
            _ = _process.StandardOutput.ReadToEndAsync();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            for (var i = 0; i < 100 && !_process.HasExited; i++)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://{Host}/v2/"));
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(100);
            }

            var exited = _process.HasExited;
            await DisposeProcessAsync();
            if (!exited || attempt == 3)
            {
                throw new InvalidOperationException($"{Binary} serve {config} did not answer on {Host}: {await log}");
            }
        }
    }

    private async Task DisposeProcessAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    private static async Task<string> Run(string tool, params string[] arguments)
    {
        var result = await Exec.RunAsync(tool, arguments);
        return result.Succeeded ? result.StandardOutput : throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)}: {result.Diagnostic}");
    }
}
