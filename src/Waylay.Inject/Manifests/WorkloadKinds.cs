namespace Waylay.Inject.Manifests;

/// <summary>
/// Where each workload kind keeps its pod template, for every apiVersion the seed and later clusters use.
/// Matched on API group and kind, not version: <c>extensions/v1beta1</c>, <c>apps/v1beta1</c>, <c>apps/v1beta2</c>
/// and <c>apps/v1</c> Deployments all hold it at <c>spec.template</c>. Anything else passes through untouched.
/// </summary>
internal static class WorkloadKinds
{
    private static readonly string[] Root = [];
    private static readonly string[] Template = ["spec", "template"];
    private static readonly string[] CronJobTemplate = ["spec", "jobTemplate", "spec", "template"];

    public static IReadOnlyList<string>? TemplatePath(string? apiVersion, string? kind)
    {
        var slash = apiVersion?.IndexOf('/') ?? -1;
        var group = slash < 0 ? "" : apiVersion![..slash];
        return (group, kind) switch
        {
            ("", "Pod") => Root,
            ("", "ReplicationController") => Template,
            ("apps" or "extensions", "Deployment" or "ReplicaSet" or "DaemonSet") => Template,
            ("apps", "StatefulSet") => Template,
            ("batch", "Job") => Template,
            ("batch", "CronJob") => CronJobTemplate,
            _ => null,
        };
    }
}
