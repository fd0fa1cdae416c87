namespace Waylay.Proxy.Connections;

/// <summary>How a connection ended, as users see it in /connections, logs and metric labels (YARP's ForwarderError).</summary>
internal enum RelayOutcome
{
    Open,

    /// <summary>Both sides finished with FIN.</summary>
    Completed,

    /// <summary>One side reset; the reset was passed on to the other.</summary>
    Reset,
    IdleTimeout,

    /// <summary>Still open when the drain ran out, or closed by quitquitquit.</summary>
    ClosedByProxy,
    ConnectFailed,
    ConnectTimeout,
    RefusedLoop,
    RefusedNotRedirected,
    NoHealthyEndpoint,
}
