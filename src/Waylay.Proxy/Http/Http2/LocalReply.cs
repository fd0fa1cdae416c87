using Microsoft.AspNetCore.Http;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// The answers the proxy makes itself, as Envoy makes them: the status, <c>x-waylay-proxy-error</c> naming why, and
/// Envoy's body text. A gRPC caller gets Envoy's gRPC form instead: HTTP 200, a trailers-only response whose
/// <c>grpc-status</c> is mapped from the status (Envoy's <c>Grpc::Utility::httpToGrpcStatus</c>) and whose
/// <c>grpc-message</c> is the text, so gRPC clients see UNAVAILABLE / UNIMPLEMENTED rather than a protocol error.
/// </summary>
internal static class LocalReply
{
    public const string ErrorHeader = "x-waylay-proxy-error";

    public static Task WriteAsync(HttpContext context, bool grpc, int status, string code, string text)
    {
        var response = context.Response;
        response.Headers[ErrorHeader] = code;
        if (grpc)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = GrpcStatusFor(status).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = text;
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        if (text.Length == 0)
        {
            return Task.CompletedTask;
        }

        response.ContentType = "text/plain";
        return response.WriteAsync(text, context.RequestAborted);
    }

    /// <summary>Envoy's mapping (source/common/grpc/status.cc).</summary>
    public static int GrpcStatusFor(int status) => status switch
    {
        400 => 13,                  // INTERNAL
        401 => 16,                  // UNAUTHENTICATED
        403 => 7,                   // PERMISSION_DENIED
        404 => 12,                  // UNIMPLEMENTED
        429 or 502 or 503 or 504 => 14, // UNAVAILABLE
        _ => 2,                     // UNKNOWN
    };
}
