using System.Diagnostics;
using Waylay.Node.Processes;

namespace Waylay.Node.Tests.Processes;

public sealed class ProcessIdentityTests
{
    [Fact]
    public async Task AReusedPid_IsNeverSignalled()
    {
        using var sleeper = Process.Start("sleep", "300");
        try
        {
            var real = ProcessIdentity.Of(sleeper.Id)!.Value;
            var stale = real with { StartTime = real.StartTime - 1 };

            Assert.True(real.IsAlive);
            Assert.False(stale.IsAlive);
            Assert.False(stale.Signal(Linux.Signal.Sigkill));
            Assert.False(sleeper.HasExited);

            await real.StopAsync(TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
            Assert.False(real.IsAlive);
        }
        finally
        {
            if (!sleeper.HasExited)
            {
                sleeper.Kill();
            }
        }
    }

    [Fact]
    public void NoSuchProcess_HasNoIdentity() => Assert.Null(ProcessIdentity.Of(int.MaxValue));
}
