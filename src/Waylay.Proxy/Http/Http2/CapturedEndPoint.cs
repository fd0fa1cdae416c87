using System.Net;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// The one "address" Kestrel listens on: not a socket, but the connections the core hands over
/// (<see cref="Http2Gateway.ServeAsync"/>). Kestrel only shows it in its logs.
/// </summary>
internal sealed class CapturedEndPoint : EndPoint
{
    public static readonly CapturedEndPoint Instance = new();

    public override string ToString() => "waylay-captured-h2c";
}
