namespace Waylay.Inject;

/// <summary>What the injector did with a pod; the result's Reason says why in words.</summary>
internal enum InjectionDecision
{
    Injected,

    /// <summary>Already injected and <c>--force</c>: what the old injection added was replaced.</summary>
    Reinjected,

    SkippedOptOut,
    SkippedAlreadyInjected,
    SkippedHostNetwork,
    SkippedSystemNamespace,

    /// <summary>The pod cannot be injected as written (invalid spec or annotations); the reason names the fix.</summary>
    Rejected,
}
