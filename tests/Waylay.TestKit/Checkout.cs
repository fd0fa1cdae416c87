namespace Waylay.TestKit;

/// <summary>
/// The checkout the tests were built from: the directory above their output that holds Waylay.slnx, else
/// <c>WAYLAY_ROOT</c> (which ./test.sh and the launcher set) for tests run from a copied output.
/// </summary>
public static class Checkout
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Waylay.slnx")))
            {
                return directory.FullName;
            }
        }

        return Environment.GetEnvironmentVariable("WAYLAY_ROOT") is { Length: > 0 } root
            ? root
            : throw new InvalidOperationException("cannot find the checkout (no Waylay.slnx above the tests): run them from inside it, or set WAYLAY_ROOT");
    }
}
