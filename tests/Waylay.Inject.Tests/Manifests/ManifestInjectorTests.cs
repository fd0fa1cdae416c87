using Waylay.Inject.Manifests;
using Waylay.Inject.Values;

namespace Waylay.Inject.Tests.Manifests;

public sealed class ManifestInjectorTests
{
    private static ManifestOutput Run(params string[] texts) =>
        ManifestInjector.Inject([.. texts.Select((t, i) => new ManifestInput($"in{i}.yaml", t))], InjectionValues.Default, force: false);

    [Fact]
    public void NonWorkloads_ComeBackAsTheyWere()
    {
        const string text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  port: \"8080\"\n  flag: \"true\"\n---\nkind: Unknown\nspec:\n  template: 1\n";
        var output = Run(text);
        Assert.Equal(text, output.Text);
        Assert.Empty(output.Reports);
    }

    [Fact]
    public void Rejections_AreAllReported_AndNothingIsWritten()
    {
        var e = Assert.Throws<ManifestException>(() => Run(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: no-template}\nspec: {}\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: bad, annotations: {sidecar.istio.io/interceptionMode: FAST}}\nspec: {containers: [{name: a, image: b}]}\n"));
        Assert.Contains("in0.yaml: Deployment/no-template: spec.template is missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("in1.yaml: Pod/bad: invalid injection settings", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralInputs_AreWrittenInOrder()
    {
        var output = Run("kind: A\n", "kind: B\n---\nkind: C\n");
        Assert.Equal("kind: A\n---\nkind: B\n---\nkind: C\n", output.Text);
    }

    [Fact]
    public void Reports_NameEachWorkloadAndDecision()
    {
        var output = Run("""
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly, namespace: kube-system}
            spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: b}]}}}}}
            """);
        var report = Assert.Single(output.Reports);
        Assert.Equal("CronJob/nightly", report.Workload);
        Assert.Equal(InjectionDecision.SkippedSystemNamespace, report.Decision);
    }

    [Fact]
    public void Sources_ReadFilesDirectoriesAndStdin_InOrder()
    {
        var directory = Directory.CreateTempSubdirectory("wl-inject-sources-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "b.yaml"), "kind: B\n");
            File.WriteAllText(Path.Combine(directory, "a.json"), "{\"kind\": \"A\"}");
            File.WriteAllText(Path.Combine(directory, "notes.txt"), "ignored");
            var inputs = ManifestSources.Read([directory, "-"], new StringReader("kind: S\n"));
            Assert.Equal(["a.json", "b.yaml", "<stdin>"], inputs.Select(i => Path.GetFileName(i.Source)));
            Assert.True(inputs[0].IsJson);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void MissingFile_NamesItAndTheFix()
    {
        var e = Assert.Throws<ManifestException>(() => ManifestSources.Read(["/nonexistent/x.yaml"], TextReader.Null));
        Assert.Contains("/nonexistent/x.yaml: no such file or directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SamplesProductpage_InjectsAsTheGoldenFileSays()
    {
        foreach (var name in new[] { "productpage", "productpage-v1beta1" })
        {
            var sample = Path.Combine(TestData.RepositoryRoot, "samples", "productpage", name + ".yaml");
            var golden = Path.Combine(TestData.InjectDirectory, name + ".injected.yaml");
            var output = ManifestInjector.Inject([new ManifestInput(sample, File.ReadAllText(sample))], InjectionValues.Default, force: false);
            Assert.Equal(File.ReadAllText(golden), output.Text);
        }
    }
}
