using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Waylay.Samples.Bookinfo.Details;
using Waylay.Samples.Bookinfo.Peers;
using Waylay.Samples.Bookinfo.Productpage;
using Waylay.Samples.Bookinfo.Ratings;
using Waylay.Samples.Bookinfo.Reviews;

namespace Waylay.Samples.Bookinfo;

/// <summary>
/// Builds the Kestrel app of one role and serves it on <c>[::]:port</c> (dual-stack, so IPv4 and IPv6 and a sidecar's
/// redirected connections all reach it), printing <c>bookinfo {role} {version} listening on http://[::]:{port}</c>
/// once it accepts: the line tests and scripts wait for, with the real port when 0 was asked for.
/// </summary>
internal static class BookinfoApp
{
    public static async Task RunAsync(BookinfoOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // A signed-in user's name goes into end-user as UTF-8 (José is a user too): read it back the same way.
            kestrel.RequestHeaderEncodingSelector = _ => Encoding.UTF8;
            kestrel.Listen(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, options.Port);
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler
        {
            // The mesh is the only proxy; the peers' cookies are the user's, forwarded by hand.
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            // One connection per call, as Istio's productpage (Python requests.get) and reviews make them: without
            // routing rules a sidecar relays TCP as it is, so kube-proxy picks a reviews version per connection, and
            // a pooled connection would pin productpage to one version forever.
            DefaultRequestHeaders = { ConnectionClose = true },
        });
        builder.Services.AddSingleton<PeerClient>();
        builder.Services.AddSingleton<ProductpageCalls>();

        var app = builder.Build();
        switch (options.Role)
        {
            case Role.Productpage:
                ProductpageEndpoints.Map(app, options);
                break;
            case Role.Details:
                DetailsEndpoints.Map(app);
                break;
            case Role.Reviews:
                ReviewsEndpoints.Map(app, options);
                break;
            case Role.Ratings:
                RatingsEndpoints.Map(app);
                break;
        }

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await Console.Out.WriteLineAsync($"bookinfo {options.Role.ToString().ToLowerInvariant()} {options.Version} listening on {address}");
        await Console.Out.FlushAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
    }
}
