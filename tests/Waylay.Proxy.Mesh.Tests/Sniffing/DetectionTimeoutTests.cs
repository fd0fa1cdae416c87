using System.Net;
using System.Text.Json;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Sniffing;

/// <summary>
/// Istio's <c>protocolDetectionTimeout</c> on an undeclared port (the service port is named <c>web</c>, no
/// appProtocol): HTTP that arrives promptly is detected and handled as HTTP (the proxy's own fields reach the app);
/// a client silent for longer than the timeout is relayed as opaque TCP, so the same request later passes untouched;
/// <c>--protocol-detection-timeout</c> lengthens the wait, and then the late request is detected as HTTP again.
/// The client's one second of silence is far from both the 100 ms default and the 5 s setting.
/// </summary>
public sealed class DetectionTimeoutTests
{
    private static readonly IPEndPoint Service = new(ServiceLab.ServiceIp, ServiceLab.Port);

    [NetnsTheory]
    [InlineData(null, false)]
    [InlineData("5s", true)]
    public async Task UndeclaredPort_PromptHttpIsDetected_LateHttpIsDetectedOnlyWithinTheTimeout(string? timeout, bool lateIsHttp)
    {
        string[] arguments = timeout is null ? [] : ["--protocol-detection-timeout", timeout];
        await using var lab = await ServiceLab.StartAsync(rules: null, portDeclaration: "{name: web, port: 9080}", proxyArguments: arguments);

        Assert.True(await ProxiedAsync(lab, silence: TimeSpan.Zero), "an HTTP request sent at once on an undeclared port was not handled as HTTP");
        Assert.Equal(lateIsHttp, await ProxiedAsync(lab, silence: TimeSpan.FromSeconds(1)));
    }

    /// <summary>True when the request reached the app with the fields only an HTTP-aware proxy adds.</summary>
    private static async Task<bool> ProxiedAsync(ServiceLab lab, TimeSpan silence)
    {
        using var http = new RawHttp(await lab.Pod.ConnectAsync(Service));
        await Task.Delay(silence);
        await http.SendAsync("GET /headers HTTP/1.1\r\nHost: reviews:9080\r\nConnection: close\r\n\r\n");
        var response = await http.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        var fields = JsonSerializer.Deserialize<Dictionary<string, string>>(response.BodyText)!;
        return fields.ContainsKey("x-forwarded-proto") && fields.ContainsKey("x-request-id");
    }
}
