//! The HTTP side: the accept loop on hyper ([`server`]), the request pipeline ([`dispatch`]), URL routing
//! ([`routing`]), authentication ([`auth`]) and the response body that holds the thread slot ([`body`]).

mod auth;
mod body;
mod dispatch;
mod routing;
pub mod server;
