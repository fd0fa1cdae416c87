using System.Text.Json.Nodes;
using Waylay.Inject.Manifests;
using Waylay.Inject.Tests.Webhook;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Tests.Golden;

/// <summary>
/// Every case of testdata/inject through both front doors: <c>waylay inject</c>'s code path against the golden
/// file, and the webhook over real HTTPS, whose patch applied to each pod must give the same pod.
/// </summary>
public sealed class GoldenTests
{
    public static IEnumerable<object[]> Cases() => GoldenCase.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Inject_MatchesGoldenFile(string name)
    {
        var golden = new GoldenCase(name);
        var actual = Run(golden, golden.Force);
        if (TestData.UpdateGolden)
        {
            File.WriteAllText(golden.ExpectedPath, actual);
        }

        Assert.True(File.Exists(golden.ExpectedPath), $"no golden file {golden.ExpectedPath}; run the tests with WAYLAY_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(golden.ExpectedPath), actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Inject_Twice_IsInjectOnce(string name)
    {
        var golden = new GoldenCase(name);
        var once = Run(golden, golden.Force);
        var twice = ManifestInjector.Inject([new ManifestInput("again", once)], golden.Values, force: false).Text;
        Assert.Equal(once, twice);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForceReinject_OfCurrentInjection_ChangesNothing(string name)
    {
        var golden = new GoldenCase(name);
        var first = ManifestInjector.Inject([golden.ManifestInput], golden.Values, golden.Force);
        if (first.Reports.Any(r => r.Decision == InjectionDecision.SkippedAlreadyInjected))
        {
            return; // its input carries a sidecar from another template on purpose
        }

        var again = ManifestInjector.Inject([new ManifestInput("again", first.Text)], golden.Values, force: true).Text;
        Assert.Equal(first.Text, again);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Injected_DeserialisesStrictly(string name)
    {
        var golden = new GoldenCase(name);
        var documents = YamlReader.ReadDocuments(Run(golden, golden.Force), name);
        Assert.NotEmpty(documents);
        foreach (var document in documents)
        {
            if (golden.HasUnknownFields)
            {
                // The app's own unknown fields stay; what injection added must still be schema-exact.
                foreach (var added in Added(document!))
                {
                    StrictSchema.Deserialize(added, typeof(k8s.Models.V1Container));
                }
            }
            else
            {
                StrictSchema.Validate(document!);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Webhook_PatchGivesTheSamePodAsInject(string name)
    {
        var golden = new GoldenCase(name);
        var inputs = Workloads(YamlReader.ReadDocuments(golden.Input, name)).ToList();

        // The webhook never re-injects (there is no --force at admission): compare with inject without it.
        var injected = Workloads(YamlReader.ReadDocuments(Run(golden, force: false), name)).ToList();
        Assert.Equal(inputs.Count, injected.Count);

        await using var webhook = await TestWebhook.StartAsync(golden.Values);
        for (var i = 0; i < inputs.Count; i++)
        {
            var (pod, ns, isPod) = AsAdmittedPod(inputs[i]);
            var (patched, response) = await webhook.InjectAsync(pod, ns);
            Assert.True(response["allowed"]!.GetValue<bool>(), response.ToJsonString());
            if (!isPod)
            {
                ((JsonObject)patched["metadata"]!).Remove("generateName");
                patched = new JsonObject { ["metadata"] = patched["metadata"]!.DeepClone(), ["spec"] = patched["spec"]!.DeepClone() };
            }

            var expected = isPod ? injected[i].Template : new JsonObject
            {
                ["metadata"] = injected[i].Template["metadata"]?.DeepClone(),
                ["spec"] = injected[i].Template["spec"]!.DeepClone(),
            };
            Assert.True(JsonNode.DeepEquals(expected, patched), $"webhook and inject differ for {inputs[i].Workload}:\ninject:  {expected.ToJsonString()}\nwebhook: {patched.ToJsonString()}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void InitContainerArgs_ParseAsIstioIptablesFlags(string name)
    {
        var golden = new GoldenCase(name);
        foreach (var (workload, _, template) in Workloads(YamlReader.ReadDocuments(Run(golden, golden.Force), name)))
        {
            foreach (var init in template["spec"]?["initContainers"]?.AsArray() ?? [])
            {
                if (init!["name"]!.GetValue<string>() == "waylay-init")
                {
                    var flags = Capture.IstioIptablesFlags.Parse([.. init["args"]!.AsArray().Select(a => a!.GetValue<string>())]);
                    Assert.True(flags.ContainsKey("-p") && flags.ContainsKey("-u") && flags.ContainsKey("-m"), workload);
                }
            }
        }
    }

    internal static string Run(GoldenCase golden, bool force) =>
        ManifestInjector.Inject([golden.ManifestInput], golden.Values, force).Text;

    /// <summary>The pod a controller would create from a workload's template, as the API server sends it to the webhook.</summary>
    private static (JsonObject Pod, string Namespace, bool IsPod) AsAdmittedPod((string Workload, JsonObject Root, JsonObject Template) workload)
    {
        var ns = workload.Root["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        if (ReferenceEquals(workload.Root, workload.Template))
        {
            return ((JsonObject)workload.Template.DeepClone(), ns, true);
        }

        var metadata = (JsonObject?)workload.Template["metadata"]?.DeepClone() ?? new JsonObject();
        metadata["generateName"] = workload.Root["metadata"]!["name"]!.GetValue<string>() + "-";
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = workload.Template["spec"]!.DeepClone(),
        };
        return (pod, ns, false);
    }

    private static IEnumerable<(string Workload, JsonObject Root, JsonObject Template)> Workloads(IEnumerable<JsonNode?> documents)
    {
        foreach (var document in documents)
        {
            if (document is not JsonObject root)
            {
                continue;
            }

            if (root["kind"]?.GetValue<string>() == "List")
            {
                foreach (var item in Workloads(root["items"]!.AsArray()))
                {
                    yield return item;
                }

                continue;
            }

            if (WorkloadKinds.TemplatePath(root["apiVersion"]?.GetValue<string>(), root["kind"]?.GetValue<string>()) is not { } path)
            {
                continue;
            }

            JsonNode node = root;
            foreach (var segment in path)
            {
                node = node[segment]!;
            }

            yield return ($"{root["kind"]}/{root["metadata"]?["name"]}", root, (JsonObject)node);
        }
    }

    private static IEnumerable<JsonNode> Added(JsonNode document)
    {
        foreach (var (_, _, template) in Workloads([document]))
        {
            foreach (var key in new[] { "containers", "initContainers" })
            {
                foreach (var container in template["spec"]?[key]?.AsArray() ?? [])
                {
                    if (container!["name"]!.GetValue<string>().StartsWith("waylay-", StringComparison.Ordinal))
                    {
                        yield return container;
                    }
                }
            }
        }
    }
}
