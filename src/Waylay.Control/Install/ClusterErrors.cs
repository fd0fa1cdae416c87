using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace Waylay.Control.Install;

/// <summary>The API server's own words for a refused request (its Status message), or the connection's.</summary>
internal static class ClusterErrors
{
    public static bool IsNotFound(Exception e) => e is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    public static bool IsExpected(Exception e) => e is HttpOperationException or HttpRequestException or TaskCanceledException or IOException;

    public static string Describe(Exception e) => e switch
    {
        HttpOperationException { Response: { } response } => $"{(int)response.StatusCode} {response.StatusCode}: {StatusMessage(response.Content)}",
        HttpRequestException request => $"the API server cannot be reached ({request.Message.TrimEnd('.')})",
        TaskCanceledException => "the API server did not answer in time",
        _ => e.Message.TrimEnd('.'),
    };

    private static string StatusMessage(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return "no message";
        }

        try
        {
            using var status = JsonDocument.Parse(content);
            return status.RootElement.TryGetProperty("message", out var message) ? message.GetString() ?? content : content;
        }
        catch (JsonException)
        {
            return content.Length > 200 ? content[..200] : content;
        }
    }
}
