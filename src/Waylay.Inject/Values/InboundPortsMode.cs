namespace Waylay.Inject.Values;

/// <summary>Which inbound ports the init container captures when the pod does not say.</summary>
internal enum InboundPortsMode
{
    /// <summary><c>-b '*'</c>: every port, as Istio has done since 1.3 (undeclared ports are captured too).</summary>
    All,

    /// <summary><c>-b</c> from the app containers' <c>containerPort</c>s: the seed's (Istio 0.8) way.</summary>
    Declared,
}
