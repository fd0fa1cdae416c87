using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Waylay.Linux;

namespace Waylay.TestKit;

/// <summary>
/// The real <c>waylay proxy</c> process, running as uid 1337 inside a test namespace, started from a world-readable
/// copy (<c>/tmp/wl-&lt;run&gt;-bin</c>: uid 1337 may not traverse the checkout) of the NativeAOT sidecar named by
/// <c>WAYLAY_PROXY_BINARY</c> (test.sh sets it) or, without it, of the CLI's JIT build beside the tests; ready when its
/// <c>/ready</c> answers 200. Killed with its namespace; its output is kept for failure messages.
/// </summary>
public sealed class TestProxy
{
    public const uint Uid = 1337;
    public const ushort AdminPort = 15000;

    private static readonly Lazy<string> Binary = new(() => OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException() : CopyBinary());
    private readonly ConcurrentQueue<string> _output = new();

    private TestProxy(TestNamespace ns, Process process)
    {
        Namespace = ns;
        Process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public TestNamespace Namespace { get; }

    public Process Process { get; }

    /// <summary>nsenter and setpriv exec in place, so this is the proxy's own pid.</summary>
    public int Pid => Process.Id;

    /// <summary>Everything the proxy printed so far (log lines, errors).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Path of the executable the proxies run (a copy outside the checkout); its first argument is <c>proxy</c>.</summary>
    public static string BinaryPath => Binary.Value;

    /// <summary>Starts <c>waylay proxy ARGS…</c> in <paramref name="ns"/> as uid 1337 and waits until it is ready.</summary>
    public static async Task<TestProxy> StartAsync(TestNamespace ns, params string[] arguments) =>
        await StartAsUserAsync(ns, Uid, arguments);

    /// <summary>Like <see cref="StartAsync"/> with another uid (to test the wrong-uid warning and the loop guard).</summary>
    public static Task<TestProxy> StartAsUserAsync(TestNamespace ns, uint uid, params string[] arguments) =>
        StartExecutableAsync(ns, BinaryPath, uid, arguments);

    /// <summary>
    /// TPROXY interception: the proxy needs CAP_NET_ADMIN for IP_TRANSPARENT, so, as the injector renders it, it runs as
    /// root with gid 1337 (capture exempts that gid) and gets <c>--tproxy</c>.
    /// </summary>
    public static async Task<TestProxy> StartTransparentAsync(TestNamespace ns, params string[] arguments)
    {
        return await StartReadyAsync(ns, () => ns.Start(0, Uid, [BinaryPath, "proxy", "--tproxy", .. arguments]));
    }

    /// <summary>
    /// Like <see cref="StartAsync"/> with RLIMIT_NOFILE (soft and hard) lowered to <paramref name="limit"/> by prlimit(1),
    /// which then execs the proxy in place: a process may lower its own limits, where lowering another's needs
    /// CAP_SYS_RESOURCE, and the proxy only raises its soft limit to the hard one.
    /// </summary>
    public static async Task<TestProxy> StartWithFileLimitAsync(TestNamespace ns, int limit, params string[] arguments)
    {
        return await StartReadyAsync(ns, () => ns.Start(Uid, Uid, ["prlimit", $"--nofile={limit}:{limit}", BinaryPath, "proxy", .. arguments]));
    }

    /// <summary>Starts <c><paramref name="executable"/> proxy ARGS…</c> as <paramref name="uid"/> and waits until it is ready.</summary>
    public static async Task<TestProxy> StartExecutableAsync(TestNamespace ns, string executable, uint uid, params string[] arguments)
    {
        return await StartReadyAsync(ns, () => ns.Start(uid, uid, [executable, "proxy", .. arguments]));
    }

    /// <summary>
    /// Starts the sidecar with exactly <paramref name="arguments"/> (the injected container's args, <c>proxy</c> first)
    /// and <paramref name="environment"/> (its env, as the kubelet would set it) as <paramref name="uid"/>:<paramref name="gid"/>,
    /// and waits until it is ready.
    /// </summary>
    public static async Task<TestProxy> StartContainerAsync(TestNamespace ns, IReadOnlyList<string> arguments, IDictionary<string, string> environment, uint uid = Uid, uint gid = Uid)
    {
        return await StartReadyAsync(ns, () => ns.Start(uid, gid, [BinaryPath, .. arguments], environment));
    }

    /// <summary>
    /// Starts and waits for ready; an exec refused with ETXTBSY is tried again. The binary was copied just before by
    /// this process, and a process another test forked meanwhile holds the copy's write descriptor until it execs
    /// (the kernel then refuses to execute the file): a race of the test host, not of the proxy, so it is retried.
    /// </summary>
    private static async Task<TestProxy> StartReadyAsync(TestNamespace ns, Func<Process> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            var proxy = new TestProxy(ns, start());
            try
            {
                await proxy.WaitReadyAsync();
                return proxy;
            }
            catch (InvalidOperationException) when (attempt < 5 && proxy.Process.HasExited && proxy.Process.ExitCode == 126
                && proxy.Output.Contains("Text file busy", StringComparison.Ordinal))
            {
                proxy.Process.Dispose();
                await Task.Delay(100 * attempt);
            }
        }
    }

    /// <summary>How /ready begins while a proxy with a control plane has had no config from it yet.</summary>
    public const string WaitingForConfig = "NOT READY: waiting for the first config from discovery";

    /// <summary>The NativeAOT sidecar test.sh publishes (<c>WAYLAY_PROXY_BINARY</c>); null when the tests run the JIT build.</summary>
    public static string? NativeSidecarPath => Environment.GetEnvironmentVariable("WAYLAY_PROXY_BINARY");

    /// <summary>
    /// Polls /ready (at most 30 s) until the proxy serves: 200, or a 503 only for want of its first config from a
    /// control plane (a test of the injected args, whose <c>--discoveryAddress</c> nothing answers, still gets a
    /// listening proxy; tests of discovery wait for the config themselves). Throws with the proxy's output if it
    /// exits or never serves.
    /// </summary>
    public async Task WaitReadyAsync()
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (Process.HasExited)
            {
                Process.WaitForExit(); // drains the redirected output, so the message below has it all
                throw new InvalidOperationException($"waylay proxy exited with {Process.ExitCode} before it was ready:{Environment.NewLine}{Output}");
            }

            try
            {
                var (status, body) = await GetAsync("/ready");
                if (status == 200 || (status == 503 && body.StartsWith(WaitingForConfig, StringComparison.Ordinal)))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"waylay proxy was not ready within 30 s:{Environment.NewLine}{Output}");
    }

    public Task<(int Status, string Body)> GetAsync(string path) => RequestAsync("GET", path);

    public Task<(int Status, string Body)> PostAsync(string path) => RequestAsync("POST", path);

    /// <summary>One admin request from inside the namespace (the admin API listens on its 127.0.0.1 only).</summary>
    public async Task<(int Status, string Body)> RequestAsync(string method, string path)
    {
        using var socket = Namespace.Socket(AddressFamily.InterNetwork);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, AdminPort), timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), SocketFlags.None, timeout.Token);
        var response = await TestData.ReadToEndAsync(socket, timeout.Token);
        var text = Encoding.UTF8.GetString(response);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var status = int.Parse(text.Split(' ')[1], CultureInfo.InvariantCulture);
        return (status, headEnd < 0 ? "" : text[(headEnd + 4)..]);
    }

    /// <summary>A sample from /stats/prometheus, e.g. <c>("waylay_upstream_cx_total", "service=\"reviews.default\"")</c>; 0 when absent.</summary>
    public async Task<long> MetricAsync(string name, string? labels = null)
    {
        var (_, body) = await GetAsync("/stats/prometheus");
        var prefix = labels is null ? name + " " : $"{name}{{{labels}}} ";
        foreach (var line in body.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return long.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>How many descriptors the proxy holds now (/proc/PID/fd).</summary>
    public int OpenFileCount() => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Length;

    /// <summary>
    /// How many sockets the proxy holds now: unlike <see cref="OpenFileCount"/>, blind to the epoll instances and wake
    /// pipes its event loops and thread pool add as load grows, and keep.
    /// </summary>
    public int OpenSocketCount() => Directory.GetFileSystemEntries($"/proc/{Pid}/fd").Count(IsSocket);

    private static bool IsSocket(string descriptor)
    {
        try
        {
            return new FileInfo(descriptor).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false; // closed since the directory was listed
        }
    }

    /// <summary>Sends a signal (e.g. "TERM") to the proxy.</summary>
    public async Task SignalAsync(string signal)
    {
        var result = await Exec.RunAsync("kill", "-" + signal, Pid.ToString(CultureInfo.InvariantCulture));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"kill -{signal} {Pid}: {result.Diagnostic}");
        }
    }

    /// <summary>True when the process exited within <paramref name="bound"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Keep(string? line)
    {
        if (line is not null && _output.Count < 5000)
        {
            _output.Enqueue(line);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string CopyBinary()
    {
        var directory = $"/tmp/wl-{RunId.Value}-bin";
        var own = Environment.GetEnvironmentVariable("WAYLAY_PROXY_BINARY");
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        };

        string executable;
        if (own is not null)
        {
            // The NativeAOT sidecar (src/Waylay.Sidecar, what test.sh and ./waylay proxy run): one self-contained file.
            if (!File.Exists(own))
            {
                throw new FileNotFoundException($"WAYLAY_PROXY_BINARY={own} does not exist; publish it with: dotnet publish src/Waylay.Sidecar -c Release -o .build/sidecar", own);
            }

            executable = Path.GetFileName(own);
            File.Copy(own, Path.Combine(directory, executable), overwrite: true);
        }
        else
        {
            // The CLI's JIT build beside the tests: the apphost and its assemblies.
            executable = "waylay";
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
            {
                var name = Path.GetFileName(file);
                if (name == "waylay" || name.EndsWith(".dll", StringComparison.Ordinal) || name.StartsWith("waylay.", StringComparison.Ordinal))
                {
                    File.Copy(file, Path.Combine(directory, name), overwrite: true);
                }
            }
        }

        foreach (var file in Directory.EnumerateFiles(directory))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
                | (Path.GetFileName(file) == executable ? UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : 0));
        }

        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        return Path.Combine(directory, executable);
    }
}
