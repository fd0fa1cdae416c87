namespace Waylay.Samples.Bookinfo;

/// <summary>How a reviews version shows ratings: v1 none, v2 black stars, v3 red ones (Istio's ENABLE_RATINGS and STAR_COLOR).</summary>
internal sealed record ReviewsStars(bool Enabled, string Color);
