using Waylay.Linux;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests;

/// <summary>The tests that share one <see cref="TwoPodMesh"/> (bringing a mesh up is the slow part); they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class MeshCollection : ICollectionFixture<TwoPodMesh>
{
    public const string Name = "two-pod mesh";

    /// <summary>Runs the real CLI against the mesh (its run id given with --mesh, which every diagnostics command takes).</summary>
    public static Task<ExecResult> CliAsync(TwoPodMesh mesh, params string[] arguments) =>
        WaylayCli.RunAsync([.. arguments, "--mesh", mesh.RunId]);

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds: what a proxy does after accept() shows a moment later.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> what)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail(what());
    }
}
