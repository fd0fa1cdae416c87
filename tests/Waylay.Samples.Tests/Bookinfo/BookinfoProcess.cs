using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Waylay.TestKit;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>
/// One role of the real sample (the <c>bookinfo</c> apphost built into the test output) as a child process on a free
/// loopback-reachable port: it binds port 0 itself and prints the port it got, so no port is guessed. The peers'
/// addresses come from the environment the test gives (<c>DETAILS_HOSTNAME=127.0.0.1</c>, <c>BOOKINFO_DETAILS_PORT</c>…);
/// the ones a test does not give point at a loopback port that refuses, so nothing is looked up or reached outside the machine. Disposing kills the process.
/// </summary>
internal sealed partial class BookinfoProcess : IAsyncDisposable
{
    private static readonly string[] Inherited =
    [
        "SERVICES_DOMAIN", "DETAILS_HOSTNAME", "REVIEWS_HOSTNAME", "RATINGS_HOSTNAME", "BOOKINFO_DETAILS_PORT",
        "BOOKINFO_REVIEWS_PORT", "BOOKINFO_RATINGS_PORT", "BOOKINFO_TIMEOUT", "SERVICE_VERSION", "ENABLE_RATINGS",
        "STAR_COLOR", "CLUSTER_NAME", "BOOKINFO_SESSION_KEY",
    ];

    private static readonly RefusingPort Refusing = new();

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private BookinfoProcess(Process process, string role)
    {
        _process = process;
        Role = role;
    }

    public static string Executable { get; } = Path.Combine(AppContext.BaseDirectory, "bookinfo");

    public string Role { get; }

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>The environment that points a role at this one (e.g. <c>REVIEWS_HOSTNAME</c> and <c>BOOKINFO_REVIEWS_PORT</c>).</summary>
    public IEnumerable<KeyValuePair<string, string>> AsPeer(string name) => PeerEnvironment(name, Port);

    public static IEnumerable<KeyValuePair<string, string>> PeerEnvironment(string name, int port) =>
    [
        new($"{name.ToUpperInvariant()}_HOSTNAME", "127.0.0.1"),
        new($"BOOKINFO_{name.ToUpperInvariant()}_PORT", port.ToString(CultureInfo.InvariantCulture)),
    ];

    public static async Task<BookinfoProcess> StartAsync(string role, IEnumerable<KeyValuePair<string, string>>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(role);
        foreach (var argument in arguments.Concat(["--port", "0"]))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in Inherited)
        {
            start.Environment.Remove(name);
        }

        // A peer the test does not name is a loopback port that refuses: no name is ever looked up in DNS.
        foreach (var peer in new[] { "details", "reviews", "ratings" })
        {
            foreach (var (name, value) in PeerEnvironment(peer, Refusing.Port))
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var child = new BookinfoProcess(process, role);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (child._stderr)
            {
                child._stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (Listening().Match(line) is { Success: true } m)
                {
                    child.Port = int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture);
                    _ = DrainAsync(process.StandardOutput);
                    return child;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await child.DisposeAsync();
        throw new InvalidOperationException($"bookinfo {role} {string.Join(' ', arguments)} did not start: {child.Stderr}");
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static async Task DrainAsync(StreamReader output)
    {
        try
        {
            while (await output.ReadLineAsync() is not null)
            {
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    [GeneratedRegex(@"^bookinfo \S+ \S+ listening on http://\[?[^\s\]]*\]?:(?<port>\d+)$")]
    private static partial Regex Listening();
}
