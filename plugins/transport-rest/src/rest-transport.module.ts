import { Module } from '@nestjs/common';
import { RestRoutes } from './rest-routes.service.js';

@Module({ providers: [RestRoutes] })
export class RestTransportModule {}
