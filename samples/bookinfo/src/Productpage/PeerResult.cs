using System.Text.Json.Nodes;

namespace Waylay.Samples.Bookinfo.Productpage;

/// <summary>A peer's answer as productpage uses it: 200 and the peer's JSON, or the peer's status (500 when it gave none) and an error for the page.</summary>
internal sealed record PeerResult(int Status, JsonNode Body);
