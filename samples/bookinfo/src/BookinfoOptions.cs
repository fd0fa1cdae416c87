using Waylay.Samples.Bookinfo.Peers;

namespace Waylay.Samples.Bookinfo;

/// <summary>
/// What one Bookinfo process is, parsed once from its command line and environment (<see cref="BookinfoCommand"/>).
/// </summary>
/// <param name="Port">0 picks a free port; the one bound is printed on stdout.</param>
/// <param name="Timeout">The timeout of this role's calls to its peers: productpage's 3 s, reviews v2's 10 s, v3's 2.5 s unless overridden.</param>
/// <param name="PodName">What reviews reports as the pod that served it (env <c>HOSTNAME</c>, as Istio's reviews reads it).</param>
/// <param name="ClusterName">Env <c>CLUSTER_NAME</c>; Istio's reviews reports the string "null" when it is unset.</param>
/// <param name="Stars">Reviews only: whether it calls ratings and the colour of the stars it shows.</param>
internal sealed record BookinfoOptions(
    Role Role,
    string Version,
    ushort Port,
    TimeSpan Timeout,
    string PodName,
    string ClusterName,
    PeerAddresses Peers,
    ReviewsStars Stars,
    string SessionKey);
