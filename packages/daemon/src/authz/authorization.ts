/**
 * The authorization port: what the server asks before serving a request, and after a buffered response,
 * as dockerd asks its authorization plugins (AuthZReq, AuthZRes). Field names are Docker's.
 */
export interface AuthorizationRequest {
  RequestMethod: string;
  /** The URI as the client sent it, version prefix and query included. */
  RequestUri: string;
  /** One value per header, without Host or the credentials ones. */
  RequestHeaders: Record<string, string>;
  /** The body, only when JSON and within AUTHORIZATION_BODY_LIMIT. */
  RequestBody?: Buffer;
  /** The TLS client certificate's subject CN; absent on the unix socket. */
  User?: string;
  /** "TLS" when the user came from a client certificate. */
  UserAuthNMethod?: string;
  /** The client's certificate (PEM text; on the wire each is base64 of it, as Go marshals a []byte). */
  RequestPeerCertificates?: string[];
}

/** A response the server is about to send, for the check after the handler. */
export interface AuthorizationResponse {
  ResponseStatusCode: number;
  ResponseHeaders: Record<string, string>;
  /** The body, only when JSON. */
  ResponseBody?: Buffer;
}

/**
 * Decides per request. Each method resolves when allowed and throws a ForbiddenError when denied (403),
 * any other error when it could not decide (the request fails with it).
 */
export interface AuthorizationPolicy {
  authorizeRequest(request: AuthorizationRequest): Promise<void>;
  authorizeResponse(request: AuthorizationRequest, response: AuthorizationResponse): Promise<void>;
}
