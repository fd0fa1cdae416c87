using Yarp.ReverseProxy.Forwarder;

namespace Waylay.Bench.YarpHttp1;

/// <summary>
/// The transform of a transparent sidecar: every field as received, Host kept, nothing added. The base
/// <see cref="HttpTransformer"/> already copies every field but the hop-by-hop ones, Host included; what a sidecar must
/// not use is <see cref="HttpTransformer.Default"/>, which replaces Host with the destination's and adds X-Forwarded-*.
/// </summary>
internal sealed class TransparentTransformer : HttpTransformer
{
    public static readonly TransparentTransformer Instance = new();

    private TransparentTransformer()
    {
    }
}
