/**
 * An https server on 127.0.0.1 serving IdP metadata, with a certificate issued by a test CA made
 * in the run. `trustTestCa()` adds that CA to the default https agent of this process: the
 * in-process equivalent of starting Node with NODE_EXTRA_CA_CERTS=<ca.pem>, which is how
 * production trusts a private CA (jest runs one file in-band, after Node has started).
 */
import { globalAgent, createServer, type Server } from "node:https";
import { rootCertificates } from "node:tls";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";

export class HttpsMetadataServer {
  body = "";
  status = 200;
  hits = 0;
  private constructor(private readonly server: Server, readonly ca: string, readonly origin: string) {}

  static async start(): Promise<HttpsMetadataServer> {
    const notAfterDate = new Date(Date.now() + 30 * 86_400_000);
    const ca = await generate([{ name: "commonName", value: "Roster Test CA" }], { keySize: 2048, algorithm: "sha256", notAfterDate,
      extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }] });
    const leaf = await generate([{ name: "commonName", value: "127.0.0.1" }], { keySize: 2048, algorithm: "sha256", notAfterDate, ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }, { name: "extKeyUsage", serverAuth: true }] });
    let self: HttpsMetadataServer | undefined;
    const server = createServer({ key: leaf.private, cert: leaf.cert }, (req, res) => {
      self!.hits++;
      res.statusCode = self!.status;
      res.setHeader("content-type", "application/samlmetadata+xml");
      res.end(self!.status === 200 ? self!.body : "nope");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    self = new HttpsMetadataServer(server, ca.cert, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  trustTestCa(): void {
    globalAgent.options.ca = [...rootCertificates, this.ca];
  }

  untrust(): void {
    delete globalAgent.options.ca;
  }

  async stop(): Promise<void> {
    this.untrust();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
