using Waylay.Node.Images.Store;
using Waylay.Node.Tests.Images.Build;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary>
/// An image store of the test's own (<c>/tmp/wl-&lt;run&gt;-store</c>, removed on dispose) loaded by the real
/// <see cref="ImageStore"/> with the waylay image (<see cref="BuiltImage"/>, what the injector names) and the app
/// archive a subclass builds (cached under .build/image).
/// </summary>
public abstract class TestImageStore : IAsyncLifetime
{
    private readonly BuiltImage _waylay = new();

    public string Store { get; } = Path.Combine(Path.GetTempPath(), RunId.Next("store"));

    internal ImageStore Images => new(Store);

    public async Task InitializeAsync()
    {
        try
        {
            await _waylay.InitializeAsync();
            await Images.LoadAsync(_waylay.Archive, CancellationToken.None);
            await Images.LoadAsync(await AppArchiveAsync(), CancellationToken.None);
        }
        catch
        {
            await DisposeAsync(); // a fixture that failed to start is not disposed by xunit
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await _waylay.DisposeAsync();
        if (Directory.Exists(Store))
        {
            Directory.Delete(Store, recursive: true);
        }
    }

    /// <summary>The app images' archive, built by the image build's tooling (or taken from its cache).</summary>
    protected abstract Task<string> AppArchiveAsync();
}
