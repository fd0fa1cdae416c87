using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>
/// One <see cref="ServiceLab"/> shared by the facts of a class (xunit runs them one after another), for classes whose
/// facts each look at their own paths. Not started where the machine cannot run namespaces: the facts skip there.
/// </summary>
public abstract class LabFixture : IAsyncLifetime
{
    private ServiceLab? _lab;

    internal ServiceLab Lab => _lab ?? throw new InvalidOperationException(NetnsSupport.SkipReason ?? "the lab did not start");

    public async Task InitializeAsync()
    {
        if (NetnsSupport.SkipReason is null)
        {
            _lab = await StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_lab is not null)
        {
            await _lab.DisposeAsync();
        }
    }

    private protected abstract Task<ServiceLab> StartAsync();
}
