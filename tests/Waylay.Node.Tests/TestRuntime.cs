using System.Net;
using System.Net.Sockets;
using Waylay.Node.Kubelet;
using Waylay.Linux;
using Waylay.Node.Pods;
using Waylay.TestKit;

namespace Waylay.Node.Tests;

/// <summary>
/// A node runtime with a run id of the test's own (<c>&lt;test run&gt;&lt;n&gt;</c>, so every name is
/// <c>wl-&lt;id&gt;-…</c>), torn down on dispose, also when the test failed.
/// </summary>
internal static class TestRuntime
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Live = new();
    private static int _counter;

    static TestRuntime()
    {
        // A test host that dies mid-test still removes every run it started, from the state directories alone.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var directory in Live.Keys.Where(Directory.Exists))
            {
                NodeRuntime.TeardownAsync(directory, null, CancellationToken.None).GetAwaiter().GetResult();
            }
        };
    }

    public static string NextRunId() =>
        RunId.Value + (Interlocked.Increment(ref _counter) % 256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture);

    public static NodeRuntime Create(TimeProvider? time = null, Waylay.Node.Processes.RestartBackoff? backoff = null, bool allowHostPath = false, bool masqueradeAll = false)
    {
        var runtime = NodeRuntime.Create(
            new NodeRuntimeOptions { RunId = NextRunId(), Backoff = backoff ?? Waylay.Node.Processes.RestartBackoff.Kubernetes, AllowHostPath = allowHostPath, MasqueradeAll = masqueradeAll },
            time);
        Live[runtime.State.Directory] = true;
        return runtime;
    }

    public static PodSpec Pod(string name, params ContainerSpec[] containers) =>
        new(name, containers, [], RestartPolicy.Always, PodDns.ClusterFirst("10.96.0.10", "default"));

    public static ContainerSpec Container(string name, string script, uint? uid = null) =>
        new(name, ["sh", "-c", script], new Dictionary<string, string>(), []) { RunAsUser = uid };

    /// <summary>Waits (bounded) until a file exists with content, and returns it.</summary>
    public static async Task<string> WaitForFileAsync(string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            await Task.Delay(20, timeout.Token);
        }

        return File.ReadAllText(path).Trim();
    }

    /// <summary>A command's stdout, failing the test with its stderr when it fails.</summary>
    public static async Task<string> RunAsync(params string[] command)
    {
        var result = await Exec.RunAsync(command[0], command[1..]);
        Assert.True(result.Succeeded, $"{string.Join(' ', command)}: {result.Diagnostic}");
        return result.StandardOutput;
    }

    /// <summary>Everything a run could have left on the machine, by its names and its state directory.</summary>
    public static async Task<IReadOnlyList<string>> LeftoversAsync(string runId, string stateDirectory)
    {
        var prefix = $"wl-{runId}-";
        var left = new List<string>();
        left.AddRange((await RunAsync("ip", "netns", "list")).Split('\n').Where(l => l.Contains(prefix, StringComparison.Ordinal)).Select(l => "netns " + l));
        left.AddRange((await RunAsync("ip", "-o", "link")).Split('\n').Where(l => l.Contains(prefix, StringComparison.Ordinal)).Select(l => "link " + l));
        left.AddRange(File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Contains(prefix, StringComparison.Ordinal) || l.Contains(stateDirectory, StringComparison.Ordinal)).Select(l => "mount " + l));
        if (Directory.Exists("/etc/netns"))
        {
            left.AddRange(Directory.GetDirectories("/etc/netns", prefix + "*").Select(d => "file " + d));
        }

        if (Directory.Exists(stateDirectory))
        {
            left.Add("file " + stateDirectory);
        }

        return left;
    }

    /// <summary>GET over a socket made in <paramref name="netnsPath"/> (a node's or a pod's namespace), as a kubelet's probe or another pod connects.</summary>
    public static async Task<string> GetAsync(string netnsPath, IPAddress address, int port, string path)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, token) =>
            {
                var socket = NodeSocket.Create(netnsPath, AddressFamily.InterNetwork);
                await socket.ConnectAsync(address, port, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri($"http://{address}:{port}{path}"));
    }
}
