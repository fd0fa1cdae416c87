using System.Text;
using Grpc.Core;

namespace Waylay.Proxy.Tests.Http2;

/// <summary>
/// A gRPC service written by hand with byte[] messages (what protoc would generate, minus protobuf): one method of
/// each kind, a failing one and one that never answers. Every answer names the backend that served it; unary calls
/// show the fault the backend's <see cref="BackendProbe"/> is told to.
/// </summary>
internal static class EchoGrpc
{
    public const string ServiceName = "waylay.test.Echo";

    public static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);

    public static readonly Method<byte[], byte[]> Unary = new(MethodType.Unary, ServiceName, nameof(EchoService.Unary), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> Split = new(MethodType.ServerStreaming, ServiceName, nameof(EchoService.Split), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> Join = new(MethodType.ClientStreaming, ServiceName, nameof(EchoService.Join), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> Chat = new(MethodType.DuplexStreaming, ServiceName, nameof(EchoService.Chat), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> Fail = new(MethodType.Unary, ServiceName, nameof(EchoService.Fail), Bytes, Bytes);
    public static readonly Method<byte[], byte[]> Hang = new(MethodType.Unary, ServiceName, nameof(EchoService.Hang), Bytes, Bytes);

    public static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

/// <summary>Which backend this is ("v1", "v2"): every answer and the <c>served-by</c> trailer carry it.</summary>
internal sealed record BackendName(string Value);

/// <summary>
/// Grpc.AspNetCore finds each handler by the method's name on this type (the binder below is what generated code
/// would contain) and makes an instance per call. It binds only virtual methods declared by the bound type (what
/// generated base classes provide), hence a non-sealed class with virtual handlers.
/// </summary>
[BindServiceMethod(typeof(EchoService), nameof(BindService))]
internal class EchoService(BackendName name, BackendProbe probe)
{
    public static void BindService(ServiceBinderBase binder, EchoService? service)
    {
        binder.AddMethod(EchoGrpc.Unary, (UnaryServerMethod<byte[], byte[]>)null!);
        binder.AddMethod(EchoGrpc.Split, (ServerStreamingServerMethod<byte[], byte[]>)null!);
        binder.AddMethod(EchoGrpc.Join, (ClientStreamingServerMethod<byte[], byte[]>)null!);
        binder.AddMethod(EchoGrpc.Chat, (DuplexStreamingServerMethod<byte[], byte[]>)null!);
        binder.AddMethod(EchoGrpc.Fail, (UnaryServerMethod<byte[], byte[]>)null!);
        binder.AddMethod(EchoGrpc.Hang, (UnaryServerMethod<byte[], byte[]>)null!);
    }

    /// <summary>
    /// "name|authority|x-forwarded-for|id or no-id|peer|request|traceparent|x-b3-parentspanid": what the proxy forwarded,
    /// and from where.
    /// </summary>
    public virtual async Task<byte[]> Unary(byte[] request, ServerCallContext context)
    {
        probe.Messages.Enqueue(request);
        switch (probe.Fault)
        {
            case BackendFault.Unavailable:
                throw new RpcException(new Status(StatusCode.Unavailable, $"{name.Value} is unavailable"));
            case BackendFault.Hang:
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
                break;
        }

        context.ResponseTrailers.Add("served-by", name.Value);
        var forwardedFor = context.RequestHeaders.GetValue("x-forwarded-for") ?? "-";
        var requestId = context.RequestHeaders.GetValue("x-request-id") is null ? "no-id" : "id";
        var traceParent = context.RequestHeaders.GetValue("traceparent") ?? "-";
        var parent = context.RequestHeaders.GetValue("x-b3-parentspanid") ?? "-";
        return EchoGrpc.Text($"{name.Value}|{context.Host}|{forwardedFor}|{requestId}|{context.Peer}|{EchoGrpc.Text(request)}|{traceParent}|{parent}");
    }

    public virtual async Task Split(byte[] request, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        foreach (var part in EchoGrpc.Text(request).Split(','))
        {
            await responses.WriteAsync(EchoGrpc.Text($"{name.Value}:{part}"), context.CancellationToken);
        }

        context.ResponseTrailers.Add("served-by", name.Value);
    }

    public virtual async Task<byte[]> Join(IAsyncStreamReader<byte[]> requests, ServerCallContext context)
    {
        var parts = new List<string>();
        while (await requests.MoveNext(context.CancellationToken))
        {
            parts.Add(EchoGrpc.Text(requests.Current));
        }

        context.ResponseTrailers.Add("served-by", name.Value);
        return EchoGrpc.Text($"{name.Value}:{string.Join('+', parts)}");
    }

    public virtual async Task Chat(IAsyncStreamReader<byte[]> requests, IServerStreamWriter<byte[]> responses, ServerCallContext context)
    {
        while (await requests.MoveNext(context.CancellationToken))
        {
            await responses.WriteAsync(EchoGrpc.Text($"{name.Value}:{EchoGrpc.Text(requests.Current)}"), context.CancellationToken);
        }

        context.ResponseTrailers.Add("served-by", name.Value);
    }

    public virtual Task<byte[]> Fail(byte[] request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{name.Value} refuses {EchoGrpc.Text(request)}"));

    public virtual async Task<byte[]> Hang(byte[] request, ServerCallContext context)
    {
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
        return request;
    }
}
