import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

export class PortInput {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  @JSONSchema({ description: 'TCP port inside the sandbox', example: 8000 })
  port: number;
}

export class ListPortsInput {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  @JSONSchema({ description: 'Only this port (the list is empty when it is not exposed)', example: 8000 })
  port?: number;
}

export class ExposedPort {
  @IsInt() @JSONSchema({ description: 'TCP port inside the sandbox' }) port: number;

  @IsString()
  @JSONSchema({
    description: 'Where the port is reachable, through the gateway and with the same credentials as the API',
    example: '/v1/sandboxes/3f2a.../ports/8000/',
  })
  url: string;
}

export class PortList {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ExposedPort)
  @JSONSchema({ description: 'Exposed ports, lowest first' })
  ports: ExposedPort[];
}
