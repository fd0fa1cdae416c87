using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Waylay.Inject.Tests.Golden;

/// <summary>
/// Deserialises documents into KubernetesClient's typed models with unknown members disallowed, so a field
/// the API server does not know (a typo in the template, a wrong nesting) fails the test instead of being dropped.
/// </summary>
internal static class StrictSchema
{
    private static readonly JsonSerializerOptions Options = Create();

    public static void Validate(JsonNode document)
    {
        if (document is not JsonObject root)
        {
            return;
        }

        var kind = root["kind"]?.GetValue<string>();
        if (kind == "List")
        {
            foreach (var item in root["items"]!.AsArray())
            {
                Validate(item!);
            }

            return;
        }

        Type? type = kind switch
        {
            "Pod" => typeof(V1Pod),
            "Deployment" => typeof(V1Deployment),
            "ReplicaSet" => typeof(V1ReplicaSet),
            "ReplicationController" => typeof(V1ReplicationController),
            "StatefulSet" => typeof(V1StatefulSet),
            "DaemonSet" => typeof(V1DaemonSet),
            "Job" => typeof(V1Job),
            "CronJob" => typeof(V1CronJob),
            "Service" => typeof(V1Service),
            "ConfigMap" => typeof(V1ConfigMap),
            "Namespace" => typeof(V1Namespace),
            "ServiceAccount" => typeof(V1ServiceAccount),
            "MutatingWebhookConfiguration" => typeof(V1MutatingWebhookConfiguration),
            _ => null,
        };
        if (type is not null)
        {
            Deserialize(root, type);
        }
    }

    public static object Deserialize(JsonNode node, Type type)
    {
        try
        {
            return JsonSerializer.Deserialize(node, Options.GetTypeInfo(type))!;
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{node["kind"]}/{node["metadata"]?["name"]} does not match {type.Name} strictly: {e.Message}");
        }
    }

    private static JsonSerializerOptions Create()
    {
        JsonSerializerOptions? copy = null;
        KubernetesJson.AddJsonOptions(options => copy = new JsonSerializerOptions(options));
        copy!.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return copy;
    }
}
