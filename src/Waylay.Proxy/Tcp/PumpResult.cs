namespace Waylay.Proxy.Tcp;

/// <summary>How one direction of a relay ended.</summary>
internal enum PumpResult
{
    /// <summary>The source sent FIN; the destination's write side was shut down after the last byte.</summary>
    Eof,

    /// <summary>Either end reset (or failed): the relay resets the other end too.</summary>
    Reset,

    /// <summary>The proxy closed the connection (idle timeout, drain deadline) or the other direction aborted it.</summary>
    Aborted,
}
