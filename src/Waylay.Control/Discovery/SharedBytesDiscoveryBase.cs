using Grpc.Core;
using Waylay.Discovery.V1;

namespace Waylay.Control.Discovery;

/// <summary>
/// The AggregatedDiscovery service bound with the server's own response marshaller (<see cref="PushFrame"/>) instead
/// of the generated base class's, so resources encoded once go out as shared bytes. Same service and method names, so
/// proxies see the same RPC. Grpc.AspNetCore binds an overriding method of the class that declares BindService.
/// </summary>
[BindServiceMethod(typeof(SharedBytesDiscoveryBase), nameof(BindService))]
internal abstract class SharedBytesDiscoveryBase
{
    private static readonly Method<DiscoveryRequest, PushFrame> Method = new(
        MethodType.DuplexStreaming, AggregatedDiscovery.Descriptor.FullName, "StreamResources", PushFrame.RequestMarshaller, PushFrame.Marshaller);

    public static void BindService(ServiceBinderBase binder, SharedBytesDiscoveryBase? service) =>
        binder.AddMethod(Method, service is null ? null : service.StreamResources);

    public abstract Task StreamResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<PushFrame> responseStream, ServerCallContext context);
}
