using System.Text.Json.Nodes;
using Waylay.Samples.Bookinfo.Peers;

namespace Waylay.Samples.Bookinfo.Productpage;

/// <summary>
/// productpage's calls to details, reviews and ratings, each with the role's timeout (3 s as in Istio). Reviews is
/// asked twice before giving up: Istio keeps that on purpose ("bug introduced explicitly for illustration in the
/// fault injection task"), so a 7 s delay on ratings makes reviews v2 fail twice against productpage's 3 s, and the
/// page says reviews are unavailable instead of showing ratings' error.
/// </summary>
internal sealed class ProductpageCalls(PeerClient peers, BookinfoOptions options)
{
    public const string DetailsUnavailable = "Sorry, product details are currently unavailable for this book.";
    public const string ReviewsUnavailable = "Sorry, product reviews are currently unavailable for this book.";
    public const string RatingsUnavailable = "Sorry, product ratings are currently unavailable for this book.";

    public async Task<PeerResult> DetailsAsync(string productId, Headers headers, CancellationToken cancellationToken) =>
        Result(await peers.GetAsync(options.Peers.Details, "details/" + Uri.EscapeDataString(productId), headers.List, cancellationToken), DetailsUnavailable);

    public async Task<PeerResult> ReviewsAsync(string productId, Headers headers, CancellationToken cancellationToken)
    {
        PeerResponse answer = new(null, null);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            answer = await peers.GetAsync(options.Peers.Reviews, "reviews/" + Uri.EscapeDataString(productId), headers.List, cancellationToken);
            if (answer.IsOk)
            {
                break;
            }
        }

        return Result(answer, ReviewsUnavailable);
    }

    public async Task<PeerResult> RatingsAsync(string productId, Headers headers, CancellationToken cancellationToken) =>
        Result(await peers.GetAsync(options.Peers.Ratings, "ratings/" + Uri.EscapeDataString(productId), headers.List, cancellationToken), RatingsUnavailable);

    private static PeerResult Result(PeerResponse answer, string unavailable) => answer.IsOk
        ? new PeerResult(200, answer.Body!)
        : new PeerResult(answer.Status ?? 500, new JsonObject { ["error"] = unavailable });

    /// <summary>The headers for one page's peer calls: the propagated ones, then <c>end-user</c> from the session.</summary>
    internal sealed record Headers(IReadOnlyList<KeyValuePair<string, string>> List);
}
