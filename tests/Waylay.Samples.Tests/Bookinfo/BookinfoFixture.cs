namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>
/// The whole Bookinfo app on loopback, started once for the test classes of the <c>bookinfo</c> collection (which
/// therefore run one after another, not all at once on a two-core machine): details, ratings, reviews v1, v2 and v3 (pod
/// names <c>reviews-vN-test</c>) and one productpage per reviews version (a test stands in for the mesh's routing by
/// pointing each productpage at one version).
/// </summary>
public sealed class BookinfoFixture : IAsyncLifetime
{
    private readonly List<BookinfoProcess> _started = [];

    internal BookinfoProcess Details { get; private set; } = null!;

    internal BookinfoProcess Ratings { get; private set; } = null!;

    internal Dictionary<string, BookinfoProcess> Reviews { get; } = [];

    internal Dictionary<string, BookinfoProcess> Productpage { get; } = [];

    public async Task InitializeAsync()
    {
        Details = Keep(await BookinfoProcess.StartAsync("details"));
        Ratings = Keep(await BookinfoProcess.StartAsync("ratings"));
        foreach (var version in new[] { "v1", "v2", "v3" })
        {
            Reviews[version] = Keep(await BookinfoProcess.StartAsync("reviews", [.. Ratings.AsPeer("ratings"), new("HOSTNAME", $"reviews-{version}-test")], "--version", version));
            Productpage[version] = Keep(await BookinfoProcess.StartAsync("productpage", [.. Details.AsPeer("details"), .. Reviews[version].AsPeer("reviews"), .. Ratings.AsPeer("ratings")]));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _started)
        {
            await process.DisposeAsync();
        }
    }

    private BookinfoProcess Keep(BookinfoProcess process)
    {
        _started.Add(process);
        return process;
    }
}

[CollectionDefinition(Name)]
public sealed class BookinfoCollection : ICollectionFixture<BookinfoFixture>
{
    public const string Name = "bookinfo";
}
