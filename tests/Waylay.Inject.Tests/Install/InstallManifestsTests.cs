using System.Net;
using System.Text;
using k8s.Models;
using Waylay.Inject.Install;
using Waylay.Inject.Tests.Golden;
using Waylay.Inject.Values;
using Waylay.Inject.Webhook;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Tests.Install;

public sealed class InstallManifestsTests
{
    private static readonly WebhookCertificateSet Certs = WebhookCertificates.Generate("waylay-webhook", "mesh", [], TimeProvider.System, TimeSpan.FromDays(1));

    [Fact]
    public void Manifests_AreTheSixObjects_StrictlyValid()
    {
        var documents = YamlReader.ReadDocuments(InstallManifests.Render("mesh", Encoding.ASCII.GetBytes(Certs.CaPem), InjectionValues.Default), "install");
        Assert.Equal(["Namespace", "ServiceAccount", "Deployment", "Service", "MutatingWebhookConfiguration", "PodDisruptionBudget"], documents.Select(d => d!["kind"]!.GetValue<string>()));
        foreach (var document in documents)
        {
            StrictSchema.Validate(document!);
            if (document!["kind"]!.GetValue<string>() is not ("Namespace" or "MutatingWebhookConfiguration"))
            {
                Assert.Equal("mesh", document["metadata"]!["namespace"]!.GetValue<string>());
            }
        }
    }

    [Fact]
    public void WebhookConfiguration_SelectsNamespacesAndOptOuts_AsTheDesignSays()
    {
        var documents = YamlReader.ReadDocuments(InstallManifests.Render("mesh", Encoding.ASCII.GetBytes(Certs.CaPem), InjectionValues.Default), "install");
        var config = (V1MutatingWebhookConfiguration)StrictSchema.Deserialize(documents[4]!, typeof(V1MutatingWebhookConfiguration));
        Assert.Equal(4, config.Webhooks.Count);
        foreach (var hook in config.Webhooks)
        {
            Assert.Equal("Fail", hook.FailurePolicy);
            Assert.Equal("None", hook.SideEffects);
            Assert.Equal(10, hook.TimeoutSeconds);
            Assert.Equal(["v1"], hook.AdmissionReviewVersions);
            Assert.Equal("/inject", hook.ClientConfig.Service.Path);
            Assert.Equal("mesh", hook.ClientConfig.Service.NamespaceProperty);
            Assert.Equal(Certs.CaPem, Encoding.ASCII.GetString(hook.ClientConfig.CaBundle));
            Assert.Equal(["CREATE"], hook.Rules.Single().Operations);
            Assert.Equal(["pods"], hook.Rules.Single().Resources);
        }

        foreach (var hook in config.Webhooks.Take(2))
        {
            Assert.Contains(hook.ObjectSelector.MatchExpressions, r => r.Key == "sidecar.waylay.io/inject" && r.OperatorProperty == "NotIn");
            Assert.Contains(hook.ObjectSelector.MatchExpressions, r => r.Key == "sidecar.istio.io/inject" && r.OperatorProperty == "NotIn");
        }

        foreach (var hook in config.Webhooks.Skip(2))
        {
            Assert.Contains(hook.NamespaceSelector.MatchExpressions, r => r.Key == "waylay-injection" && r.OperatorProperty == "DoesNotExist");
            Assert.Contains(hook.NamespaceSelector.MatchExpressions, r => r.Key == "istio-injection" && r.OperatorProperty == "DoesNotExist");
        }

        Assert.Contains(config.Webhooks[2].ObjectSelector.MatchExpressions, r => r.Key == "sidecar.waylay.io/inject" && r.Values.SequenceEqual(["true"]));
        Assert.Contains(config.Webhooks[3].ObjectSelector.MatchExpressions, r => r.Key == "sidecar.istio.io/inject" && r.Values.SequenceEqual(["true"]));
        Assert.Contains(config.Webhooks[3].ObjectSelector.MatchExpressions, r => r.Key == "sidecar.waylay.io/inject" && r.OperatorProperty == "DoesNotExist");

        Assert.Contains(config.Webhooks[0].NamespaceSelector.MatchExpressions, r => r.Key == "waylay-injection" && r.Values.SequenceEqual(["enabled"]));
        Assert.Contains(config.Webhooks[1].NamespaceSelector.MatchExpressions, r => r.Key == "istio-injection" && r.Values.SequenceEqual(["enabled"]));
        Assert.Contains(config.Webhooks[1].NamespaceSelector.MatchExpressions, r => r.Key == "waylay-injection" && r.OperatorProperty == "DoesNotExist");
    }

    [Fact]
    public void WebhookPods_OptOutOfInjection()
    {
        var documents = YamlReader.ReadDocuments(InstallManifests.Render("mesh", null, InjectionValues.Default), "install");
        var deployment = (V1Deployment)StrictSchema.Deserialize(documents[2]!, typeof(V1Deployment));
        Assert.Equal("false", deployment.Spec.Template.Metadata.Labels["sidecar.waylay.io/inject"]);
        Assert.Equal(["webhook", "--cert", "/etc/waylay/webhook/tls.crt", "--key", "/etc/waylay/webhook/tls.key", "--port", "15017"], deployment.Spec.Template.Spec.Containers[0].Args);
        Assert.Null(documents[4]!["webhooks"]![0]!["clientConfig"]!["caBundle"]);
    }

    [Fact]
    public void CaBundle_ThatIsNotPem_IsRefused()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a certificate");
            var e = Assert.Throws<ManifestException>(() => InstallManifests.ReadCaBundle(path));
            Assert.Contains("not a PEM certificate", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
