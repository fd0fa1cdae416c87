namespace Waylay.Mesh.Networking;

/// <summary><c>http[].fault</c>: an injected delay and/or abort, each on a percentage of requests.</summary>
public sealed record HttpFault(FaultDelay? Delay, FaultAbort? Abort);

/// <summary>Delay <see cref="Percentage"/> (0–100) of requests by <see cref="FixedDelay"/> before forwarding them.</summary>
public sealed record FaultDelay(TimeSpan FixedDelay, double Percentage);

/// <summary>Answer <see cref="Percentage"/> (0–100) of requests with <see cref="HttpStatus"/> instead of forwarding them.</summary>
public sealed record FaultAbort(int HttpStatus, double Percentage);
