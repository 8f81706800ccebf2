"""fig deploy: the project as a Docker Swarm stack (convert, plan, deploy and wait, undeploy)."""
