using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waylay.Inject.Patch;
using Waylay.Inject.Values;

namespace Waylay.Inject.Webhook;

/// <summary>
/// Answers one <c>admission.k8s.io/v1</c> AdmissionReview: a pod being created comes back with a JSON Patch
/// (base64, patchType JSONPatch) that makes it exactly what <c>waylay inject</c> makes of it. Namespace
/// selection is the MutatingWebhookConfiguration's namespaceSelector; the pod's own opt-out is honoured here.
/// Anything that is not a usable review gets a review with an error status, never an exception.
/// </summary>
internal sealed class AdmissionHandler(InjectionValues values)
{
    private const string ApiVersion = "admission.k8s.io/v1";

    public InjectionValues Values { get; } = values;

    public JsonObject Handle(ReadOnlySpan<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return Error(null, ApiVersion, 400, $"the request body is not JSON ({e.Message}); send an admission.k8s.io/v1 AdmissionReview.");
        }

        if (root is not JsonObject review || Text(review["kind"]) != "AdmissionReview")
        {
            return Error(null, ApiVersion, 400, "the request body is not an AdmissionReview; send an admission.k8s.io/v1 AdmissionReview.");
        }

        var apiVersion = Text(review["apiVersion"]);
        if (apiVersion is not (ApiVersion or "admission.k8s.io/v1beta1"))
        {
            return Error(null, ApiVersion, 400, $"AdmissionReview apiVersion '{apiVersion}' is not supported; set admissionReviewVersions: [v1] in the webhook configuration.");
        }

        if (review["request"] is not JsonObject request || Text(request["uid"]) is not { Length: > 0 } uid)
        {
            return Error(null, apiVersion, 400, "the AdmissionReview has no request.uid; the API server always sends one.");
        }

        var kind = request["kind"] as JsonObject;
        if (Text(kind?["kind"]) != "Pod" || (Text(kind?["group"]) ?? "") != "")
        {
            return Allowed(uid, apiVersion, null, [$"waylay webhook: {Text(kind?["kind"]) ?? "unknown kind"} is not a pod; nothing to inject."]);
        }

        if (Text(request["operation"]) is { } operation && operation != "CREATE")
        {
            return Allowed(uid, apiVersion, null, []);
        }

        if (request["object"] is not JsonObject pod)
        {
            return Error(uid, apiVersion, 400, "request.object is missing or not a pod object.");
        }

        var labels = pod["metadata"]?["labels"];
        var workload = Text(pod["metadata"]?["name"])
            ?? WorkloadName.FromGenerateName(Text(pod["metadata"]?["generateName"]), Text(labels?["pod-template-hash"]))
            ?? "";
        var context = new InjectionContext(Values, Text(request["namespace"]) ?? Text(pod["metadata"]?["namespace"]), workload);

        var result = Injector.Inject(pod, context);
        switch (result.Decision)
        {
            case InjectionDecision.Injected or InjectionDecision.Reinjected:
                var patch = JsonPatchBuilder.Diff(pod, result.Pod);
                return Allowed(uid, apiVersion, patch, result.Warnings);
            case InjectionDecision.Rejected:
                return Error(uid, apiVersion, 400, $"waylay sidecar injection: {result.Reason}");
            default:
                return Allowed(uid, apiVersion, null, result.Warnings);
        }
    }

    public static JsonObject Error(string? uid, string apiVersion, int code, string message) => Review(apiVersion, new JsonObject
    {
        ["uid"] = uid ?? "",
        ["allowed"] = false,
        ["status"] = new JsonObject { ["code"] = code, ["message"] = message },
    });

    private static JsonObject Allowed(string uid, string apiVersion, JsonArray? patch, IReadOnlyList<string> warnings)
    {
        var response = new JsonObject { ["uid"] = uid, ["allowed"] = true };
        if (patch is { Count: > 0 })
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString()));
        }

        if (warnings.Count > 0)
        {
            response["warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode)w)]);
        }

        return Review(apiVersion, response);
    }

    private static JsonObject Review(string apiVersion, JsonObject response) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = "AdmissionReview",
        ["response"] = response,
    };

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
