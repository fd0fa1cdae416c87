using System.Text.Json.Nodes;

namespace Waylay.Inject.Template;

/// <summary>What the template renders for one pod, before the injector places it.</summary>
internal sealed record SidecarParts(
    JsonObject InitContainer,
    JsonObject ProxyContainer,
    IReadOnlyList<JsonObject> Volumes,
    IReadOnlyList<string> ImagePullSecrets,
    string Version);
