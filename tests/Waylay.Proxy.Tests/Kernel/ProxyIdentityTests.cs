using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Kernel;

/// <summary>The start-up warning for an identity capture does not exempt (its own connections would be captured again).</summary>
public sealed class ProxyIdentityTests
{
    [NetnsFact]
    public async Task RunningAsAnotherUidAndGid_WarnsAtStart()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var proxy = await TestProxy.StartAsUserAsync(ns, 1001);
        await Wait.UntilAsync(() => Task.FromResult(proxy.Output.Contains("running as uid 1001, not 1337", StringComparison.Ordinal)), "the wrong-uid warning");
    }

    [NetnsFact]
    public async Task RunningAsUid1337_DoesNotWarn()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var proxy = await TestProxy.StartAsync(ns);
        // The log is one stream (stderr) and the warning would come before the start line.
        await Wait.UntilAsync(() => Task.FromResult(proxy.Output.Contains("waylay proxy ready", StringComparison.Ordinal)), "the start line");
        Assert.DoesNotContain("running as uid", proxy.Output);
    }
}
