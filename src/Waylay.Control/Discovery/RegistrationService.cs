using Grpc.Core;
using Waylay.Control.Sources.Registrations;
using Waylay.Discovery.V1;

namespace Waylay.Control.Discovery;

/// <summary>The Registration service on the discovery port: a runtime reports its pods; a bad report is INVALID_ARGUMENT naming the field.</summary>
internal sealed class RegistrationService(PodRegistry registry) : Registration.RegistrationBase
{
    public override Task<RegistrationReply> Report(PodEvent request, ServerCallContext context)
    {
        if (registry.Report(request) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }

        return Task.FromResult(new RegistrationReply { RegisteredPods = registry.Count });
    }
}
