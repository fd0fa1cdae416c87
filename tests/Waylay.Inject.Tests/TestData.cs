using System.Runtime.CompilerServices;

namespace Waylay.Inject.Tests;

/// <summary>Paths into the test project's source tree, so golden files are read and rewritten where they live.</summary>
internal static class TestData
{
    public static string ProjectDirectory { get; } = Locate();

    public static string InjectDirectory => Path.Combine(ProjectDirectory, "testdata", "inject");

    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(ProjectDirectory, "..", ".."));

    public static bool UpdateGolden => Environment.GetEnvironmentVariable("WAYLAY_UPDATE_GOLDEN") == "1";

    private static string Locate([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
