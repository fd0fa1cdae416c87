using Waylay.Proxy.Connections;


namespace Waylay.Proxy.Pools;

/// <summary>
/// Thrown from the handler's connect callback so the forwarder can tell "could not connect" (503 UF, retriable with
/// connect-failure) from any later failure, whatever wrapping SocketsHttpHandler adds around it.
/// </summary>
internal sealed class UpstreamConnectException(RelayOutcome outcome, string target)
    : IOException($"connecting to {target} failed: {outcome}")
{
    public RelayOutcome Outcome { get; } = outcome;

    public static bool IsIn(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is UpstreamConnectException)
            {
                return true;
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (IsIn(inner))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
