using System.Text.Json.Nodes;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Tests;

/// <summary>Small helpers: a pod from YAML, injected with given values, and its parts by name.</summary>
internal static class InjectTestKit
{
    public static JsonObject Pod(string yaml) => (JsonObject)YamlReader.ReadDocuments(yaml, "test")[0]!;

    public static InjectionResult InjectYaml(string yaml, InjectionValues? values = null, string? ns = null, bool force = false) =>
        Injector.Inject(Pod(yaml), new InjectionContext(values ?? InjectionValues.Default, ns, "test-workload", force));

    public static JsonObject Container(JsonObject pod, string name, string list = "containers") =>
        (JsonObject)pod["spec"]![list]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;

    public static IReadOnlyList<string> Args(JsonObject container) =>
        [.. container["args"]!.AsArray().Select(a => a!.GetValue<string>())];

    public static IReadOnlyList<string> Names(JsonObject pod, string list) =>
        [.. (pod["spec"]![list]?.AsArray() ?? []).Select(c => c!["name"]!.GetValue<string>())];

    public static string PodWithAnnotations(string annotations, string extraSpec = "") => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels: {app: web}
          annotations:
        {{Indent(annotations, 4)}}
        spec:
        {{Indent(extraSpec, 2)}}
          containers:
          - name: web
            image: example.com/web:1
            ports:
            - containerPort: 8080
            - containerPort: 8443
        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Where(l => l.Length > 0).Select(l => new string(' ', spaces) + l));
}
