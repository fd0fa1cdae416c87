namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// A gRPC status as the HTTP status Envoy counts it as (its <c>Grpc::Utility::grpcToHttpStatus</c>): a call that
/// failed with UNAVAILABLE came back as HTTP 200, but outlier detection and retries must see the 503 it stands for.
/// </summary>
internal static class GrpcHttpStatus
{
    public static int For(int grpcStatus) => grpcStatus switch
    {
        0 => 200,    // OK
        1 => 499,    // CANCELLED
        2 => 500,    // UNKNOWN
        3 => 400,    // INVALID_ARGUMENT
        4 => 504,    // DEADLINE_EXCEEDED
        5 => 404,    // NOT_FOUND
        6 => 409,    // ALREADY_EXISTS
        7 => 403,    // PERMISSION_DENIED
        8 => 429,    // RESOURCE_EXHAUSTED
        9 => 400,    // FAILED_PRECONDITION
        10 => 409,   // ABORTED
        11 => 400,   // OUT_OF_RANGE
        12 => 501,   // UNIMPLEMENTED
        13 => 500,   // INTERNAL
        14 => 503,   // UNAVAILABLE
        15 => 500,   // DATA_LOSS
        16 => 401,   // UNAUTHENTICATED
        _ => 500,
    };
}
