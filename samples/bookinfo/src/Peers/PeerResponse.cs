using System.Text.Json.Nodes;

namespace Waylay.Samples.Bookinfo.Peers;

/// <summary>What a peer answered: its status and JSON body, or no status when it could not be reached in time.</summary>
internal sealed record PeerResponse(int? Status, JsonNode? Body)
{
    public bool IsOk => Status == 200 && Body is not null;
}
