using Waylay.Inject.Manifests;
using Waylay.Inject.Values;

namespace Waylay.Inject.Tests.Golden;

/// <summary>
/// One case of testdata/inject: <c>&lt;case&gt;.yaml</c> in, <c>&lt;case&gt;.injected.yaml</c> expected,
/// optional <c>&lt;case&gt;.values.yaml</c>; a first line <c># args: --force</c> injects with --force.
/// </summary>
internal sealed record GoldenCase(string Name)
{
    public string InputPath => Path.Combine(TestData.InjectDirectory, Name + ".yaml");

    public string ExpectedPath => Path.Combine(TestData.InjectDirectory, Name + ".injected.yaml");

    public string ValuesPath => Path.Combine(TestData.InjectDirectory, Name + ".values.yaml");

    public string Input => File.ReadAllText(InputPath);

    public bool Force => Input.StartsWith("# args: --force", StringComparison.Ordinal);

    /// <summary>Cases whose point is fields no schema knows: they skip the strict schema check.</summary>
    public bool HasUnknownFields => Name.StartsWith("unknown-fields", StringComparison.Ordinal);

    public InjectionValues Values => File.Exists(ValuesPath)
        ? InjectionValuesReader.Read(File.ReadAllText(ValuesPath), ValuesPath)
        : InjectionValues.Default;

    public ManifestInput ManifestInput => new($"testdata/inject/{Name}.yaml", Input);

    public static IEnumerable<object[]> All() => Directory.EnumerateFiles(TestData.InjectDirectory, "*.yaml")
        .Select(Path.GetFileName)
        .Where(f => !f!.EndsWith(".injected.yaml", StringComparison.Ordinal) && !f.EndsWith(".values.yaml", StringComparison.Ordinal))
        .Select(f => f![..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .Select(name => new object[] { name });

    public override string ToString() => Name;
}
