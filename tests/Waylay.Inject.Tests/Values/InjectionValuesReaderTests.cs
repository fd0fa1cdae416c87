using Waylay.Capture.Options;
using Waylay.Inject.Capture;
using Waylay.Inject.Values;
using Waylay.Inject.Yaml;

namespace Waylay.Inject.Tests.Values;

public sealed class InjectionValuesReaderTests
{
    [Fact]
    public void PrintedDefaults_ReadBackAsTheDefaults()
    {
        var printed = YamlWriter.Write([InjectionValuesWriter.ToJson(InjectionValues.Default)]);
        var read = InjectionValuesReader.Read(printed, "printed");
        Assert.Equal(printed, YamlWriter.Write([InjectionValuesWriter.ToJson(read)]));
        Assert.Equal(Inject.Template.SidecarTemplate.Version(InjectionValues.Default), Inject.Template.SidecarTemplate.Version(read));
    }

    [Fact]
    public void EmptyFile_IsTheDefaults()
    {
        Assert.Equal(Inject.Template.SidecarTemplate.Version(InjectionValues.Default), Inject.Template.SidecarTemplate.Version(InjectionValuesReader.Read("", "empty")));
    }

    [Fact]
    public void Values_AreReadTyped()
    {
        var values = InjectionValuesReader.Read("""
            image: example.com/waylay:1
            proxyUID: 2000
            interceptionMode: tproxy
            inboundPorts: declared
            excludeOutboundIPRanges: 169.254.169.254/32
            resources: {requests: {cpu: 200m}, limits: {memory: 1Gi}}
            ports: {outbound: 16001}
            drainDuration: 1m30s
            nativeSidecar: true
            """, "v.yaml");
        Assert.Equal("example.com/waylay:1", values.Image);
        Assert.Equal(2000, values.ProxyUid);
        Assert.Equal(2000, values.ProxyGid);
        Assert.Equal(InterceptionMode.Tproxy, values.InterceptionMode);
        Assert.Equal(InboundPortsMode.Declared, values.InboundPorts);
        Assert.Equal("169.254.169.254/32", values.ExcludeOutboundIPRanges.ToString());
        Assert.Equal("200m", values.ResourceRequests["cpu"]);
        Assert.Equal("1Gi", values.ResourceLimits["memory"]);
        Assert.Equal(16001, values.Ports.Outbound);
        Assert.Equal(15006, values.Ports.Inbound);
        Assert.Equal(TimeSpan.FromSeconds(90), values.DrainDuration);
        Assert.True(values.NativeSidecar);
    }

    [Fact]
    public void EveryError_IsReportedAtOnce()
    {
        var e = Assert.Throws<ManifestException>(() => InjectionValuesReader.Read("""
            imag: typo
            proxyUID: -1
            interceptionMode: NONE
            inboundPorts: some
            excludeInboundPorts: "80,x"
            resources: {requests: {cpu: lots}}
            ports: {outbound: 15006}
            connectTimeout: soon
            nativeSidecar: "yes please"
            """, "bad.yaml"));
        foreach (var expected in new[]
        {
            "imag: unknown key", "proxyUID: expected a numeric id", "interceptionMode: 'NONE'", "inboundPorts: 'some'",
            "'x' is not a port", "resources.requests.cpu: 'lots'", "every proxy port must be different",
            "connectTimeout: 'soon'", "nativeSidecar: expected true or false",
        })
        {
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }

        Assert.StartsWith("bad.yaml: invalid injection values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAMapping_IsAnError()
    {
        Assert.Throws<ManifestException>(() => InjectionValuesReader.Read("- a\n- b\n", "list.yaml"));
    }
}
