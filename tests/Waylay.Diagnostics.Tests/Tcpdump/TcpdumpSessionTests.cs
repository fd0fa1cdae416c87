using System.Net;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Tcpdump;

[Collection(MeshCollection.Name)]
public sealed class TcpdumpSessionTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public async Task PacketsInThePod_AreShownWithPodAndServiceNames()
    {
        var ratings = mesh.Pod("ratings");
        var details = mesh.Pod("details");
        var dump = MeshCollection.CliAsync(mesh, "tcpdump", "ratings", "-i", "eth0", "-c", "2", "tcp", "port", "9080");

        // tcpdump starts listening a moment after it is run: connect until it has seen its two packets (bounded).
        for (var attempt = 0; attempt < 100 && !dump.IsCompleted; attempt++)
        {
            using (await HeldConnection.OpenAsync(ratings, 1000, new IPEndPoint(details.Address!, 9080)))
            {
            }

            await Task.WhenAny(dump, Task.Delay(200));
        }

        var result = await dump;
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains($"{ratings.Name}.", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{details.Name}.9080", result.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(details.Address!.ToString(), result.StandardOutput, StringComparison.Ordinal);
    }
}
