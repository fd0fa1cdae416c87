using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Waylay.Linux;

namespace Waylay.TestKit;

/// <summary>
/// A network namespace of the test's own (<c>wl-&lt;run&gt;-nsN</c>) with loopback up. Everything made inside it
/// (links, rules, sockets) dies with it; processes started through it are killed by PID on dispose, also when the test
/// failed, and a process-exit hook removes whatever a crashed test left.
/// </summary>
public sealed class TestNamespace : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, TestNamespace> Live = new();
    private readonly ConcurrentBag<Process> _processes = [];
    private int _disposed;

    static TestNamespace()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var ns in Live.Values)
            {
                ns.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        };
    }

    private TestNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>The bind-mounted namespace file that nsenter and setns take.</summary>
    public string Path => $"/run/netns/{Name}";

    public static async Task<TestNamespace> CreateAsync(CancellationToken cancellationToken = default)
    {
        var name = RunId.Next("ns");
        Require(await Exec.RunAsync("ip", ["netns", "add", name], null, cancellationToken), "ip netns add");
        var ns = new TestNamespace(name);
        Live[name] = ns;
        try
        {
            await ns.IpAsync("link", "set", "lo", "up");
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }

        return ns;
    }

    /// <summary>Runs a command inside the namespace as root.</summary>
    public Task<ExecResult> RunAsync(params string[] command) => RunAsync(command, null);

    public Task<ExecResult> RunAsync(IReadOnlyList<string> command, string? standardInput, CancellationToken cancellationToken = default) =>
        Exec.RunAsync("nsenter", ["--net=" + Path, "--", .. command], standardInput, cancellationToken);

    /// <summary>Runs a command inside the namespace as the given uid/gid (setpriv: uid 1337 has no passwd entry).</summary>
    public Task<ExecResult> RunAsUserAsync(uint uid, uint gid, params string[] command) =>
        Exec.RunAsync("nsenter", ["--net=" + Path, "--", .. SetPriv(uid, gid), .. command]);

    /// <summary>`ip` inside the namespace; throws with ip's own message when it fails.</summary>
    public async Task IpAsync(params string[] arguments) =>
        Require(await Exec.RunAsync("ip", ["-n", Name, .. arguments]), "ip " + string.Join(' ', arguments));

    public Task AddAddressAsync(string device, string cidr) =>
        cidr.Contains(':') ? IpAsync("-6", "addr", "add", cidr, "dev", device, "nodad") : IpAsync("addr", "add", cidr, "dev", device);

    /// <summary>Starts a long-running process inside the namespace; killed by PID when the namespace is disposed.</summary>
    public Process Start(uint? uid, uint? gid, IReadOnlyList<string> command, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        IEnumerable<string> args = ["--net=" + Path, "--"];
        if (uid is { } u)
        {
            args = args.Concat(SetPriv(u, gid ?? u));
        }

        foreach (var arg in args.Concat(command))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + command[0]);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread that has entered this namespace, optionally with a filesystem
    /// uid/gid: sockets made there belong to the namespace, and iptables' owner match sees them as that user's.
    /// </summary>
    public T Invoke<T>(Func<T> action, uint? fsUid = null, uint? fsGid = null)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path);
                if (Sched.SetNs((int)handle.DangerousGetHandle(), Sched.CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({Path}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
                }

                // The thread never returns to the host namespace: it ends here, so nothing else can run inside it.
                if (fsGid is { } g)
                {
                    Unistd.SetFsGid(g);
                }

                if (fsUid is { } u)
                {
                    Unistd.SetFsUid(u);
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"in namespace {Name}: {failure.Message}", failure);
        }

        return result;
    }

    /// <summary>A TCP socket inside the namespace, owned (for iptables) by the given uid/gid.</summary>
    public Socket Socket(AddressFamily family, uint? uid = null, uint? gid = null) =>
        Invoke(() => new Socket(family, SocketType.Stream, ProtocolType.Tcp), uid, gid ?? uid);

    /// <summary>A listening TCP socket inside the namespace.</summary>
    public Socket Listen(IPEndPoint endpoint, bool transparent = false, int backlog = 1024) => Invoke(() =>
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (transparent)
            {
                LinuxSocket.SetTransparent(socket);
            }

            socket.Bind(endpoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
                // already reaped
            }
            catch (TimeoutException)
            {
            }

            process.Dispose();
        }

        // Deleting the namespace destroys its links (and so the veth peers) and its netfilter tables with it.
        await Exec.RunAsync("ip", "netns", "del", Name);
        var etc = $"/etc/netns/{Name}";
        if (Directory.Exists(etc))
        {
            Directory.Delete(etc, recursive: true);
        }

        Live.TryRemove(Name, out _);
    }

    internal static string[] SetPriv(uint uid, uint gid) =>
        ["setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--"];

    private static void Require(ExecResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{what} failed ({result.ExitCode}): {result.Diagnostic}");
        }
    }
}
