namespace Waylay.Proxy.Io;

/// <summary>
/// Runs socket continuations on .NET's epoll threads instead of queueing each to the thread pool. A relay does a few
/// microseconds of work per completion, so the hop (a wake-up and a context switch per completion) was most of the
/// per-connection cost: through two sidecars on 2 cores, connections/s rose by about a third (docs/benchmarks.md, Proxy
/// (L4)). Safe because nothing on the proxy's socket paths blocks: splice is non-blocking, sends and receives are
/// awaited, pumps yield after a burst, and no code waits synchronously on a task. .NET reads the variable once, when
/// the first socket registers with epoll, so this runs before any socket exists; an explicit value (=0) wins.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
