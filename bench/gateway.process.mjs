// A bench gateway in a Node process of its own, so its RSS is the gateway's alone (startGatewayProcess).
import 'reflect-metadata';
import { startBenchGateway } from './gateway.harness.mjs';

const gw = await startBenchGateway(JSON.parse(process.argv[2] ?? '{}'));
process.once('SIGTERM', () => gw.close().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ url: gw.url })}\n`);
