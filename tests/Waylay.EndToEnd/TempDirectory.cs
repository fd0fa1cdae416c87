using Waylay.TestKit;

namespace Waylay.EndToEnd;

/// <summary>A wl- directory for a test's manifests, removed with the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(RunId.Next("up")).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
