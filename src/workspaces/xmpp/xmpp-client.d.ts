/** The part of @xmpp/client (0.14, plain JavaScript) Ostal uses. */
declare module '@xmpp/client' {
  import type { EventEmitter } from 'node:events';

  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: (Element | string)[];
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getChildElements(): Element[];
    text(): string;
    toString(): string;
  }

  export interface Jid {
    local: string;
    domain: string;
    resource: string;
    bare(): Jid;
    toString(): string;
  }

  export interface Client extends EventEmitter {
    jid: Jid | null;
    status: string;
    start(): Promise<Jid>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
    iqCaller: { request(element: Element, timeout?: number): Promise<Element> };
    reconnect: { stop(): void };
  }

  export function client(options: {
    service: string;
    domain: string;
    username: string;
    password: string;
    resource?: string;
    timeout?: number;
  }): Client;

  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: (Element | string | undefined | null)[]
  ): Element;
}
